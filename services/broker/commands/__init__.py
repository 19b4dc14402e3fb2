"""One module per thing a requester or coordinator asks the broker to do."""
