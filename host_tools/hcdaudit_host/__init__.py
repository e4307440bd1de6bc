"""Host tools for hcdaudit: provision, simulate, export and verify audit logs."""
