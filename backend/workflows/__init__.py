"""Recorded workflows: the file format, the SQLite store, its HTTP routes and CLI commands.
"""
