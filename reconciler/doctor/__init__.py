"""`doctor`: one check of everything a run needs, each line with its fix."""
