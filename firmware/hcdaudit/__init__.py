# hcdaudit: the audit subsystem of a printer / MFD controller (portable core).
VERSION = "0.1.0"
