"""Desired state: the YAML files in git, loaded and checked."""

from reconciler.desired.loader import DesiredObject, DesiredState, Lifecycle, load_desired
from reconciler.desired.problems import Problem, Severity

__all__ = ["DesiredObject", "DesiredState", "Lifecycle", "Problem", "Severity", "load_desired"]
