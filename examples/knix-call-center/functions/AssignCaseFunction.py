def handle(event, context):
    """Assigns the case to a support engineer."""
    return {"Case": event["Case"], "Message": event["Message"] + "assigned..."}
