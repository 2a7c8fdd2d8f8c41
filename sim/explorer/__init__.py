"""`fugong explore`: the model in the browser, on Mesa's SolaraViz (the `explore` extra).

levers.py turns sliders into scenario overrides, charts.py draws the live charts from the
model's recorder, app.py is the Solara page, serve.py starts the server.
"""
