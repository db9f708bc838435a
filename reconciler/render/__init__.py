"""Rendering plans and problems for people (text, markdown) and machines (JSON)."""
