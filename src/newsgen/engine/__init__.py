"""The incremental machinery: the store (all SQL), the tracker of what each query read, and
the inputs a rebuild compares (files, settings, options, the clock)."""
