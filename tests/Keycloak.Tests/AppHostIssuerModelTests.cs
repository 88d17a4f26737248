using System.Security.Cryptography;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace Keycloak.Tests;

/// <summary>
/// The AppHost's model, built but not started (no container engine needed): whatever port the idp endpoint is given,
/// what Keycloak is told to put in <c>iss</c> (KC_HOSTNAME + /realms/m2m) is the issuer every service validates and
/// asks tokens from. Ports are allocated here the way DCP would: the declared one under <c>dotnet run</c>, another
/// one under the testing builder (DcpPublisher:RandomizePorts).
/// </summary>
public sealed class AppHostIssuerModelTests
{
    private const int RandomizedPort = 53817;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Keycloak_mode_tells_Keycloak_the_issuer_every_service_is_given(bool randomizePorts)
    {
        var environment = await RunEnvironmentAsync("Keycloak", randomizePorts);

        var idpPort = randomizePorts ? RandomizedPort : 8080;
        var keycloakIssuer = environment["idp"]["KC_HOSTNAME"] + "/realms/m2m";
        Assert.Equal($"http://127.0.0.1:{idpPort}/realms/m2m", keycloakIssuer);
        Assert.Equal(keycloakIssuer, environment["billing-api"]["ResourceServer__Authority"]);
        Assert.Equal(keycloakIssuer, environment["payments-api"]["ResourceServer__Authority"]);
        Assert.Equal(keycloakIssuer, environment["payments-api"]["TokenClient__billing__Authority"]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Embedded_mode_pins_the_issuer_every_service_is_given(bool randomizePorts)
    {
        var environment = await RunEnvironmentAsync("Embedded", randomizePorts);

        var issuer = environment["idp"]["EmbeddedIdp__Issuer"];
        Assert.EndsWith("/realms/m2m", issuer, StringComparison.Ordinal);
        Assert.Equal(issuer, environment["billing-api"]["ResourceServer__Authority"]);
        Assert.Equal(issuer, environment["payments-api"]["ResourceServer__Authority"]);
        Assert.Equal(issuer, environment["payments-api"]["TokenClient__billing__Authority"]);
    }

    [Fact]
    public async Task Keycloak_ports_are_published_on_loopback_only()
    {
        await using var builder = await CreateBuilderAsync("Keycloak", randomizePorts: false);

        var idp = builder.Resources.OfType<ContainerResource>().Single(resource => resource.Name == "idp");

        Assert.All(idp.Annotations.OfType<EndpointAnnotation>(), endpoint => Assert.Equal("127.0.0.1", endpoint.TargetHost));
    }

    private static async Task<Dictionary<string, Dictionary<string, string>>> RunEnvironmentAsync(string identityProvider, bool randomizePorts)
    {
        await using var builder = await CreateBuilderAsync(identityProvider, randomizePorts);
        var port = 40000;
        foreach (var resource in builder.Resources.OfType<IResourceWithEndpoints>())
        {
            foreach (var endpoint in resource.Annotations.OfType<EndpointAnnotation>())
            {
                var allocated = resource.Name == "idp" && endpoint.Name == "http"
                    ? (randomizePorts ? RandomizedPort : endpoint.Port ?? throw new InvalidOperationException("idp http has no declared port"))
                    : port++;
                endpoint.AllocatedEndpoint = new AllocatedEndpoint(endpoint, endpoint.TargetHost, allocated);
                // References made from inside a container (the Keycloak resource's own environment) resolve on the container network.
                endpoint.AllAllocatedEndpoints.AddOrUpdateAllocatedEndpoint(KnownNetworkIdentifiers.DefaultAspireContainerNetwork, new AllocatedEndpoint(
                    endpoint, "host.docker.internal", allocated, EndpointBindingMode.SingleAddress, targetPortExpression: null, KnownNetworkIdentifiers.DefaultAspireContainerNetwork));
            }
        }

        var environment = new Dictionary<string, Dictionary<string, string>>();
        foreach (var resource in builder.Resources.OfType<IResourceWithEnvironment>().Where(r => r.Name is "idp" or "billing-api" or "payments-api"))
        {
            // Aspire's documented helper for exactly this check in tests; its successor needs a running app's services.
#pragma warning disable CS0618
            environment[resource.Name] = await resource.GetEnvironmentVariableValuesAsync(DistributedApplicationOperation.Run)
                .AsTask().WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
#pragma warning restore CS0618
        }

        return environment;
    }

    private static Task<IDistributedApplicationTestingBuilder> CreateBuilderAsync(string identityProvider, bool randomizePorts)
    {
        string[] args =
        [
            $"IdentityProvider={identityProvider}",
            $"DcpPublisher:RandomizePorts={randomizePorts}",
            "Parameters:keycloak-admin-password=model-test-only",
            .. new[] { "payments-service", "checkout-service", "billing-api", "payments-api" }
                .Select(client => $"Parameters:{client}-secret={Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}"),
        ];
        return DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(args, TestContext.Current.CancellationToken);
    }
}
