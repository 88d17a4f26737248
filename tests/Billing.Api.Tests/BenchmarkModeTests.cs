using System.Net;
using Billing.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace Billing.Api.Tests;

/// <summary>bench/run.sh's switch that turns authentication off works in the Benchmark environment and nowhere else.</summary>
public sealed class BenchmarkModeTests
{
    // Never contacted: no request in these tests carries a token.
    private const string UnusedAuthority = "http://127.0.0.1:9/realms/m2m";

    private static readonly Dictionary<string, string?> AuthenticationOff = new()
    {
        ["Benchmark:DisableAuthentication"] = "true",
    };

    [Fact]
    public async Task Switching_authentication_off_outside_the_Benchmark_environment_stops_startup()
    {
        await using var factory = new BillingApiFactory(UnusedAuthority, AuthenticationOff);

        var failure = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("Benchmark:DisableAuthentication is only allowed in the 'Benchmark' environment", failure.ToString());
    }

    [Fact]
    public async Task The_switch_lets_anonymous_callers_in_only_in_the_Benchmark_environment()
    {
        await using var factory = new BillingApiFactory(UnusedAuthority, AuthenticationOff);
        await using var benchmark = InBenchmarkEnvironment(factory);

        using var response = await benchmark.CreateClient().GetAsync($"/invoices/{Guid.NewGuid()}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task The_Benchmark_environment_alone_still_requires_a_token()
    {
        await using var factory = new BillingApiFactory(UnusedAuthority);
        await using var benchmark = InBenchmarkEnvironment(factory);

        using var response = await benchmark.CreateClient().GetAsync($"/invoices/{Guid.NewGuid()}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<EntryPoint> InBenchmarkEnvironment(BillingApiFactory factory) =>
        factory.WithWebHostBuilder(builder => builder
            .UseEnvironment("Benchmark")
            // Outside Development an http authority needs this, as in bench/run.sh.
            .UseSetting("ResourceServer:RequireHttpsMetadata", "false"));
}
