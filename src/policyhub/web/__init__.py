"""HTTP: the JSON API beside gRPC (api.py) and the regulation explorer's pages (explorer.py).

Both run on the same Evaluator as the gRPC service; `policyhub explore` serves them (app.py).
"""
