"""ISP Advisor in the browser (`isp-advisor serve`): a thin web layer over engine/ (docs/web.md)."""
