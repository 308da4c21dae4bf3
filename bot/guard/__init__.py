"""What stands between a client and the app: bounded reading of requests and abuse limits that identify no one."""
