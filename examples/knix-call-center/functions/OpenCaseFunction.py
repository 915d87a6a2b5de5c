def handle(event, context):
    """Opens a support case: {"inputCaseID": "001"} -> {"Case": "001", "Message": ...}."""
    case = event["inputCaseID"]
    print("opening case " + case)
    return {"Case": case, "Message": "Case " + case + ": opened..."}
