def handle(event, context):
    """Escalates a case that is still open."""
    return {"Case": event["Case"], "Status": event["Status"],
            "Message": event["Message"] + "escalating."}
