"""Adapters to AWS services other than the table: S3 storage, SES mail, lazily built clients."""
