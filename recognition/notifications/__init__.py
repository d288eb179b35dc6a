"""Notifications that reach people: the workflow's outbox rows become in-app notices and e-mails."""
