"""Recognise payloads from known platforms and map them to our vocabulary."""
