using System.Diagnostics;

namespace SparseDsl.Experiments.SatBenchmark;

/// <summary>Which clock a timing is read from.</summary>
public enum StepClock
{
    /// <summary>Elapsed wall time: what a user waits, and what other processes on the machine slow down.</summary>
    Wall,

    /// <summary>
    /// This process's CPU time (all its threads, user and system): the work a step costs, which other processes on a
    /// shared machine barely change (they take turns on the cores; they do not make this process's steps do more).
    /// </summary>
    Cpu,
}

/// <summary>Both clocks read at once, to time a piece of work on each.</summary>
public readonly record struct ClockReading(TimeSpan Wall, TimeSpan Cpu)
{
    private static readonly Stopwatch Since = Stopwatch.StartNew();

    /// <summary>The clocks now.</summary>
    public static ClockReading Now()
    {
        using var process = Process.GetCurrentProcess();
        return new(Since.Elapsed, process.TotalProcessorTime);
    }

    /// <summary>The time from <paramref name="start"/> to <paramref name="end"/> on each clock.</summary>
    public static ClockReading operator -(ClockReading end, ClockReading start) => new(end.Wall - start.Wall, end.Cpu - start.Cpu);

    /// <summary>The sum of two timings on each clock.</summary>
    public static ClockReading operator +(ClockReading a, ClockReading b) => new(a.Wall + b.Wall, a.Cpu + b.Cpu);

    /// <summary>The time on <paramref name="clock"/>.</summary>
    public TimeSpan On(StepClock clock) => clock == StepClock.Wall ? Wall : Cpu;
}
