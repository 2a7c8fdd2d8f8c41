"""`fugong explore`: the model in the browser, on Mesa's SolaraViz (the `explore` extra).

controls.py turns sliders into scenario overrides, model.py is the model they rebuild,
charts.py draws the live charts from the
model's recorder, app.py is the Solara page, serve.py starts the server.
"""
