// Package pages holds error pages as the servers that answer in
// RMS-Socket's place send them, for the tests of every package that reads
// them (diagnosis names their senders; scenario's servers send them).
package pages

// Error pages as the servers that answer in RMS-Socket's place send them:
// nginx 1.22 when the service behind it is down, and Squid 5.7 denying a
// destination.
const (
	Nginx502  = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n"
	SquidDeny = `<!DOCTYPE html PUBLIC "-//W3C//DTD HTML 4.01//EN"><html><head><title>ERROR: The requested URL could not be retrieved</title></head><body id=ERR_ACCESS_DENIED>
<div id="titles"><h1>ERROR</h1><h2>The requested URL could not be retrieved</h2></div>
<p>Access control configuration prevents your request from being allowed at this time.</p>
<div id="footer"><p>Generated Thu, 03 Dec 2026 10:00:00 GMT by proxy.corp.example (squid/5.7)</p></div></body></html>`
)
