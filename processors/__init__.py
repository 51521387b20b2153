"""Stream processors: the faust app (tag, index, alert agents) and the pure logic they call."""
