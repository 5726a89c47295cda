"""Marshmallow schemas of what comes in: custom fields, webhook events, notification settings."""
