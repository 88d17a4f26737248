namespace AppHost;

/// <summary>How a service meets the IdP: as a resource server that validates its tokens, as a client that acquires them.</summary>
internal static class ServiceIdentityExtensions
{
    /// <summary>Makes a service validate the IdP's tokens (<c>ResourceServer:Authority</c>), and start only once the IdP is ready.</summary>
    public static IResourceBuilder<ProjectResource> WithResourceServer(
        this IResourceBuilder<ProjectResource> service, IResourceBuilder<IResourceWithEndpoints> idp) =>
        service.WithEnvironment("ResourceServer__Authority", idp.GetIssuer())
            .WaitFor(idp);

    /// <summary>Gives a service token client <paramref name="name"/> (<c>TokenClient:{name}</c>): the IdP's issuer and the client's secret.</summary>
    public static IResourceBuilder<ProjectResource> WithTokenClient(
        this IResourceBuilder<ProjectResource> service,
        string name,
        IResourceBuilder<IResourceWithEndpoints> idp,
        IResourceBuilder<ParameterResource> clientSecret) =>
        service.WithEnvironment($"TokenClient__{name}__Authority", idp.GetIssuer())
            .WithEnvironment($"TokenClient__{name}__ClientSecret", clientSecret);
}
