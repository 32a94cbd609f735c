"""The serving runtime: the FastAPI app and its routes, the WebSocket protocol, the security
guard, the loaded model and the single inference worker.
"""
