"""The blueprints, side by side: each imports the layers below it, never another blueprint."""
