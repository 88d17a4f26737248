namespace AppHost;

/// <summary>How a service meets the IdP: as a resource server that validates its tokens, as a client that acquires them.</summary>
internal static class ServiceIdentityExtensions
{
    /// <summary>
    /// Makes a service validate the IdP's tokens (<c>ResourceServer:Authority</c>) as <paramref name="validation"/> says, and
    /// start only once the IdP is ready. In introspection mode it also gets <paramref name="introspectionSecret"/>, the
    /// secret of its own realm client (billing-api, payments-api), and no other.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithResourceServer(
        this IResourceBuilder<ProjectResource> service,
        IResourceBuilder<IResourceWithEndpoints> idp,
        TokenValidationSettings validation,
        IResourceBuilder<ParameterResource> introspectionSecret)
    {
        service.WithEnvironment("ResourceServer__Authority", idp.GetIssuer())
            .WithEnvironment("ResourceServer__TokenValidation", validation.Mode.ToString())
            .WaitFor(idp);
        return validation.Mode == TokenValidation.Introspection
            ? service.WithEnvironment("ResourceServer__Introspection__ClientSecret", introspectionSecret)
            : service;
    }

    /// <summary>Gives a service token client <paramref name="name"/> (<c>TokenClient:{name}</c>): the IdP's issuer and the client's secret.</summary>
    public static IResourceBuilder<ProjectResource> WithTokenClient(
        this IResourceBuilder<ProjectResource> service,
        string name,
        IResourceBuilder<IResourceWithEndpoints> idp,
        IResourceBuilder<ParameterResource> clientSecret) =>
        service.WithEnvironment($"TokenClient__{name}__Authority", idp.GetIssuer())
            .WithEnvironment($"TokenClient__{name}__ClientSecret", clientSecret);

    /// <summary>
    /// Lets a page of <paramref name="service"/> (its Scalar page) read the IdP's token responses: fills the realm's
    /// <c>${<paramref name="variable"/>}</c> in a client's <c>webOrigins</c> with the origin a browser on this machine sends.
    /// </summary>
    public static IResourceBuilder<IResourceWithEndpoints> WithWebOrigin(
        this IResourceBuilder<IResourceWithEndpoints> idp, string variable, IResourceBuilder<ProjectResource> service)
    {
        var port = service.GetEndpoint("http").Property(EndpointProperty.Port);
        idp.ApplicationBuilder.CreateResourceBuilder((IResourceWithEnvironment)idp.Resource)
            .WithEnvironment(variable, ReferenceExpression.Create($"http://localhost:{port}"));
        return idp;
    }
}
