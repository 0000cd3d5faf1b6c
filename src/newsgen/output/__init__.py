"""Where output may go, the files of a build, and putting them in place atomically."""
