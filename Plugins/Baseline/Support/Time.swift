/// A duration in seconds, as a Double (for rates and series).
func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// A duration in microseconds, as a Double (the unit latency histograms are kept in).
func microseconds(_ duration: Duration) -> Double {
    seconds(duration) * 1e6
}
