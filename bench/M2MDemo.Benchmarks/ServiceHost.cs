using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Hosting;

namespace M2MDemo.Benchmarks;

/// <summary>
/// Runs Billing.Api or Payments.Api for bench/run.sh: the service's own Program on Kestrel at <c>localhost:PORT</c>,
/// configured by environment variables as usual. <c>auth-off</c> adds <see cref="AuthenticationOff"/>; that switch
/// lives here alone, so no service carries a benchmark branch. Both variants run through this host, so they compare.
/// </summary>
internal static class ServiceHost
{
    public static async Task<int> RunAsync(string service, int port, string mode)
    {
        var authenticationOff = mode switch
        {
            "auth-on" => false,
            "auth-off" => true,
            _ => throw new ArgumentException($"Mode '{mode}': expected auth-on or auth-off.", nameof(mode)),
        };
        await using IAsyncDisposable host = service switch
        {
            "Billing.Api" => Start(new Service<Billing.Api.EntryPoint>(authenticationOff), port),
            "Payments.Api" => Start(new Service<Payments.Api.EntryPoint>(authenticationOff), port),
            _ => throw new ArgumentException($"Service '{service}': expected Billing.Api or Payments.Api.", nameof(service)),
        };

        // run.sh stops a service with SIGTERM (kill); Ctrl+C stops it too.
        var stopped = new TaskCompletionSource();
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        await stopped.Task;
        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stopped.TrySetResult();
        }
    }

    private static WebApplicationFactory<T> Start<T>(WebApplicationFactory<T> factory, int port) where T : class
    {
        factory.UseKestrel(port);
        factory.StartServer();
        return factory;
    }

    private sealed class Service<TEntryPoint>(bool authenticationOff) : WebApplicationFactory<TEntryPoint>
        where TEntryPoint : class
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            // The factory would otherwise run the service as Development.
            builder.UseEnvironment(Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? Environments.Production);
            if (authenticationOff)
            {
                builder.ConfigureTestServices(AuthenticationOff.Apply);
            }
        }
    }
}
