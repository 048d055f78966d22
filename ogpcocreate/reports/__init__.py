"""The public report on a call or a plan: level of public influence, who participated, process flags."""
