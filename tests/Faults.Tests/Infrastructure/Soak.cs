using System.Globalization;

namespace Faults.Tests.Infrastructure;

/// <summary>
/// How long the scenarios run. By default each phase lasts seconds, so all scenarios pass within a few minutes;
/// set <c>FAULTS_SOAK_FACTOR</c> (e.g. 20) to stretch every phase that many times for a manual soak.
/// </summary>
public static class Soak
{
    public const string Variable = "FAULTS_SOAK_FACTOR";

    public static int Factor { get; } =
        int.TryParse(Environment.GetEnvironmentVariable(Variable), NumberStyles.None, CultureInfo.InvariantCulture, out var factor) && factor > 1
            ? factor
            : 1;

    /// <summary>A phase of <paramref name="seconds"/> seconds, stretched by the soak factor.</summary>
    public static TimeSpan Phase(double seconds) => TimeSpan.FromSeconds(seconds * Factor);

    /// <summary>Callers at once: tens of them.</summary>
    public const int Callers = 20;

    /// <summary>Each caller's pause between payments: steady traffic, not a benchmark.</summary>
    public static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(400);
}
