def handle(event, context):
    """Closes a resolved case."""
    return {"Case": event["Case"], "Status": event["Status"],
            "Message": event["Message"] + "closed."}
