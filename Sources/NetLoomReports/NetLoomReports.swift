enum NetLoomReports {}
