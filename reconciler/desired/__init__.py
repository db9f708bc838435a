"""Desired state: the YAML files in git, loaded and checked."""

from reconciler.desired.loader import DesiredState, load_desired
from reconciler.desired.problems import Problem, Severity
from reconciler.objects import DesiredObject, Lifecycle

__all__ = ["DesiredObject", "DesiredState", "Lifecycle", "Problem", "Severity", "load_desired"]
