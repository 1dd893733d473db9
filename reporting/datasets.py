"""Reporting's datasets for the spreadsheet engine: a network member's submission."""

from iop.spreadsheets.registry import register

from .network_template import NETWORK_SUBMISSIONS

register(NETWORK_SUBMISSIONS)
