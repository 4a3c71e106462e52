"""The domain of the interview platform: models, services, identity, storage and email."""
