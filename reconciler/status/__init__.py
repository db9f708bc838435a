"""`status`: how each sync is doing — read from Graph, personal data masked, rendered."""
