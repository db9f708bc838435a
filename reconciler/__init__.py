"""edusync-reconcile: GitOps for Microsoft School Data Sync synchronization profiles."""

__version__ = "0.1.0"
