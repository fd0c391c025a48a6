from celery import shared_task

from portal.finops import budgets


@shared_task(name="portal.finops.tasks.record_spend", ignore_result=True)
def record_spend() -> None:
    """Beat: today's figures of every environment, for the cost report's trends."""
    budgets.record_spend()
