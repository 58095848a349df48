"""Instructor tools: release, workspace, notebook hygiene."""
