"""edusync-reconcile: GitOps for Microsoft School Data Sync (new SDS's Industry Data objects and
the classic synchronization profiles)."""

__version__ = "0.1.0"
