//! Accounts: registration rules, login, tokens, sessions, profiles, health probes.

use crate::support::{PASSWORD, RawWs, TestServer};
use tern_sdk::SdkError;
use tern_sdk::proto::{CloseCode, ErrorCode, UserId};

#[tokio::test]
async fn health_and_readiness_answer() {
    let server = TestServer::start().await;
    let health: serde_json::Value = reqwest::get(format!("{}/healthz", server.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    let ready = reqwest::get(format!("{}/readyz", server.url))
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["database"], "ok");
}

#[tokio::test]
async fn register_accepts_unicode_display_names_and_normalises_usernames() {
    let server = TestServer::start().await;
    let api = server.api();
    let user = api
        .register("Zhang.Wei", PASSWORD, Some("  张伟 🐦 "))
        .await
        .unwrap();
    assert_eq!(user.username, "zhang.wei");
    assert_eq!(user.display_name, "张伟 🐦");
    let login = api.login("ZHANG.WEI", PASSWORD, None).await.unwrap();
    assert_eq!(login.user.id, user.id);
}

#[tokio::test]
async fn registration_rules_are_enforced_with_clear_codes() {
    let server = TestServer::start().await;
    let api = server.api();
    let code = |r: Result<_, SdkError>| r.map(|_| ()).unwrap_err().code();
    assert_eq!(
        code(api.register("ab", PASSWORD, None).await),
        Some(ErrorCode::InvalidUsername)
    );
    assert_eq!(
        code(api.register("张三", PASSWORD, None).await),
        Some(ErrorCode::InvalidUsername)
    );
    assert_eq!(
        code(api.register("carol", "short", None).await),
        Some(ErrorCode::InvalidPassword)
    );
    assert_eq!(
        code(api.register("carol", PASSWORD, Some("\u{7}")).await),
        Some(ErrorCode::InvalidDisplayName)
    );
    api.register("carol", PASSWORD, None).await.unwrap();
    assert_eq!(
        code(api.register("Carol", PASSWORD, None).await),
        Some(ErrorCode::UsernameTaken)
    );
}

#[tokio::test]
async fn login_does_not_reveal_whether_a_username_exists() {
    // A hash cost well above the HTTP round trip, so that skipped work shows in the timings.
    let server = TestServer::start_with(&[("TERN_SECURITY_ARGON2_MEMORY_KIB", "16384")]).await;
    let api = server.api();
    api.register("dave", PASSWORD, None).await.unwrap();
    let wrong_password = api
        .login("dave", "not the password", None)
        .await
        .unwrap_err();
    let unknown_user = api.login("nobody", PASSWORD, None).await.unwrap_err();
    for e in [&wrong_password, &unknown_user] {
        assert_eq!(e.code(), Some(ErrorCode::InvalidCredentials));
    }
    assert_eq!(wrong_password.to_string(), unknown_user.to_string());
    // The same work for both: interleaved rounds, compared by their medians. A login that skips
    // the password check for unknown users answers in a small fraction of the time.
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    for _ in 0..7 {
        for (username, times) in [("dave", &mut known), ("nobody", &mut unknown)] {
            let start = std::time::Instant::now();
            api.login(username, "not the password", None)
                .await
                .unwrap_err();
            times.push(start.elapsed());
        }
    }
    let median = |times: &mut Vec<std::time::Duration>| {
        times.sort();
        times[times.len() / 2]
    };
    let (known, unknown) = (median(&mut known), median(&mut unknown));
    assert!(
        unknown * 2 > known,
        "unknown username answered in {unknown:?}, wrong password in {known:?}"
    );
}

#[tokio::test]
async fn logout_revokes_only_that_token() {
    let server = TestServer::start().await;
    let erin = server.user("erin").await;
    let second = erin.login("phone").await;
    let phone = server.api().with_token(second.token.clone());
    phone.logout().await.unwrap();
    assert!(matches!(phone.me().await, Err(SdkError::Unauthorized(_))));
    assert_eq!(erin.api.me().await.unwrap().id, erin.id());
}

#[tokio::test]
async fn sessions_are_listed_and_revoking_one_closes_its_connections() {
    let server = TestServer::start().await;
    let frank = server.user("frank").await;
    let laptop = frank.login("laptop").await;
    let sessions = frank.api.sessions().await.unwrap();
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions.iter().filter(|s| s.current).count(), 1);
    let listed = sessions.iter().find(|s| s.id == laptop.session.id).unwrap();
    assert_eq!(listed.device, "laptop");
    assert!(!listed.current);

    let (mut ws, _) = RawWs::connect(&server, &laptop.token).await;
    frank.api.revoke_session(laptop.session.id).await.unwrap();
    assert_eq!(ws.recv_close().await, Some(CloseCode::UNAUTHORIZED));
    assert_eq!(frank.api.sessions().await.unwrap().len(), 1);
    let err = frank
        .api
        .revoke_session(laptop.session.id)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::NotFound));
    // Someone else's session id is "not found" too, never revocable.
    let grace = server.user("grace").await;
    let mine = frank.api.sessions().await.unwrap()[0].id;
    assert_eq!(
        grace.api.revoke_session(mine).await.unwrap_err().code(),
        Some(ErrorCode::NotFound)
    );
}

#[tokio::test]
async fn profile_can_be_read_and_renamed() {
    let server = TestServer::start().await;
    let heidi = server.user("heidi").await;
    let renamed = heidi.api.set_display_name("海蒂 ✨").await.unwrap();
    assert_eq!(renamed.display_name, "海蒂 ✨");
    assert_eq!(heidi.api.me().await.unwrap().display_name, "海蒂 ✨");
    let looked_up = server
        .user("ivan")
        .await
        .api
        .user_by_username("HEIDI")
        .await
        .unwrap();
    assert_eq!(looked_up.id, heidi.id());
    assert_eq!(
        heidi.api.set_display_name("").await.unwrap_err().code(),
        Some(ErrorCode::InvalidDisplayName)
    );
}

#[tokio::test]
async fn users_are_found_by_id_one_or_many_also_after_they_left() {
    let server = TestServer::start().await;
    let [alice, bob, carol] = server.users(["alice", "bob", "carol"]).await;
    let group = alice
        .api
        .create_group("g", &[bob.id(), carol.id()])
        .await
        .unwrap()
        .summary
        .id;
    carol.api.leave(group).await.unwrap();
    // Carol is gone from the member list, but her name can still be looked up.
    assert_eq!(alice.api.user(carol.id()).await.unwrap(), carol.profile);
    assert_eq!(
        alice.api.user_by_username("carol").await.unwrap(),
        carol.profile
    );
    let mut found = alice
        .api
        .users(&[carol.id(), UserId(999_999), bob.id()])
        .await
        .unwrap();
    found.sort_by_key(|p| p.id);
    assert_eq!(found, [bob.profile.clone(), carol.profile.clone()]);
    let missing = alice.api.user(UserId(999_999)).await.unwrap_err();
    assert_eq!(missing.code(), Some(ErrorCode::NotFound));
    let bad = reqwest::Client::new()
        .get(format!("{}/api/v1/users?ids=1,two", server.url))
        .bearer_auth(&alice.token)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let anonymous = reqwest::get(format!("{}/api/v1/users?ids=1", server.url))
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}
