"""Converted, validated, compared and adjudicated annotations: Label Studio exports -> annotation sets -> gold."""
