using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// bench/run.sh measures what authentication costs by running a second copy of a service with it switched off.
/// The switch, <c>Benchmark:DisableAuthentication=true</c>, is honoured only in the <c>Benchmark</c> environment,
/// which no deployment uses; set in any other environment it stops the service at startup. So auth cannot be
/// switched off by one stray setting: it takes two deliberate ones, and the service logs a warning while it lasts.
/// </summary>
public static class BenchmarkMode
{
    public const string EnvironmentName = "Benchmark";
    public const string DisableAuthenticationKey = "Benchmark:DisableAuthentication";

    /// <summary>True only for a benchmark run that switched authentication off; throws when the switch is set outside one.</summary>
    public static bool IsAuthenticationDisabledForBenchmark(this IHostApplicationBuilder builder) =>
        IsAuthenticationDisabled(builder.Configuration, builder.Environment);

    /// <inheritdoc cref="IsAuthenticationDisabledForBenchmark(IHostApplicationBuilder)"/>
    public static bool IsAuthenticationDisabledForBenchmark(this IHost app)
    {
        if (!IsAuthenticationDisabled(app.Services.GetRequiredService<IConfiguration>(), app.Services.GetRequiredService<IHostEnvironment>()))
        {
            return false;
        }

        app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(BenchmarkMode))
            .LogWarning("Benchmark run: authentication is OFF ({Key}); the API answers anonymous callers", DisableAuthenticationKey);
        return true;
    }

    private static bool IsAuthenticationDisabled(IConfiguration configuration, IHostEnvironment environment)
    {
        if (!configuration.GetValue<bool>(DisableAuthenticationKey))
        {
            return false;
        }

        if (!environment.IsEnvironment(EnvironmentName))
        {
            throw new InvalidOperationException(
                $"{DisableAuthenticationKey} is only allowed in the '{EnvironmentName}' environment (bench/run.sh); " +
                $"this is '{environment.EnvironmentName}'. Remove the setting.");
        }

        return true;
    }
}
