using TestSupport;

namespace ResourceServer.Tests.Infrastructure;

/// <summary>One real EmbeddedIdp and one resource server trusting it, for the whole collection.</summary>
public sealed class ResourceServerFixture : IAsyncLifetime
{
    public EmbeddedIdpFixture Idp { get; } = new();

    public ResourceServerHost Host { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await Idp.InitializeAsync();
        Host = await ResourceServerHost.StartAsync(Idp.Issuer);
    }

    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        using (request)
        {
            using var client = Host.CreateClient();
            return await client.SendAsync(request, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        await Idp.DisposeAsync();
    }
}

[CollectionDefinition(nameof(ResourceServerCollection))]
public sealed class ResourceServerCollection : ICollectionFixture<ResourceServerFixture>;
