using TestSupport;
using TestSupport.Conformance;

namespace EmbeddedIdp.Tests;

// The IdP-independent conformance suite (tests/TestSupport/Conformance) run against EmbeddedIdp.
// Keycloak.Tests can derive the same classes with a Keycloak fixture implementing IIdentityProvider.
// One shared EmbeddedIdp for the read-only classes (startup dominates their cost); rotation restarts its own.

[CollectionDefinition(Name)]
public sealed class SharedIdp : ICollectionFixture<EmbeddedIdpFixture>
{
    public const string Name = "Shared EmbeddedIdp";
}

[Collection(SharedIdp.Name)]
public sealed class DiscoveryTests(EmbeddedIdpFixture idp) : DiscoveryConformance(idp);

[Collection(SharedIdp.Name)]
public sealed class TokenTests(EmbeddedIdpFixture idp) : TokenConformance(idp);

[Collection(SharedIdp.Name)]
public sealed class TokenErrorTests(EmbeddedIdpFixture idp) : TokenErrorConformance(idp);

[Collection(SharedIdp.Name)]
public sealed class TokenExchangeTests(EmbeddedIdpFixture idp) : TokenExchangeConformance(idp);

[Collection(SharedIdp.Name)]
public sealed class IntrospectionTests(EmbeddedIdpFixture idp) : IntrospectionConformance(idp);

public sealed class KeyRotationTests(EmbeddedIdpFixture idp) : KeyRotationConformance(idp), IClassFixture<EmbeddedIdpFixture>;
