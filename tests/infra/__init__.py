"""Infrastructure tests: the synthesized CDK app, checked without AWS or Docker."""
