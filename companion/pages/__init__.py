"""Server-rendered page shells; live panels are filled over Socket.IO by static/js."""
