def handle(event, context):
    """Works on the case. Status 1: resolved, 0: still open. So that every run (and both
    platforms) decide alike, odd case numbers get resolved and even ones do not."""
    status = 1 if int(event["Case"]) % 2 == 1 else 0
    message = event["Message"] + ("resolved..." if status == 1 else "unresolved...")
    return {"Case": event["Case"], "Status": status, "Message": message}
