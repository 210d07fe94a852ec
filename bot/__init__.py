"""The edge: Flask app, WeCom crypto and client, dispatcher, sender, CLI. The only package that knows Flask."""
