"""Sample tickets about signing in and managing people: categories the bundled intents cover."""

from __future__ import annotations

from examples.history.categories import Category

ACCOUNT = (
    Category(
        name="password_reset",
        count=40,
        judgment=False,
        subjects=(
            "Password reset",
            "Can't reset my password",
            "Reset email not arriving",
            "Forgot password",
            "reset link expired??",
            "Password help",
            "New password not accepted",
            "Locked out - need a new password",
        ),
        quick=(
            "no idea what my password is anymore, how do i set a new one",
            "reset mail still hasnt shown up after 15 min",
            "the reset link says expired but I literally just got it",
            "pls send me a new reset link",
            "new password keeps getting rejected when I save it",
            "where do i change my password once im logged in?",
            "forgot pw again, sorry",
            "password reset not working on the android app",
        ),
        asks=(
            "I've forgotten my Orbitask password and the reset email isn't coming through. I've checked spam and junk.",
            "Every time I open the reset link it tells me the link has expired or was already used. I've requested three.",
            "I need to reset my password but I signed up with an old work address I no longer have access to.",
            "The reset page won't accept my new password. It says it doesn't meet the requirements but doesn't say which.",
            "Our IT team says your reset emails are being held by the mail filter. Which sender address should they allowlist?",
            "After resetting my password the app now asks me for a code. Did the reset turn something else on?",
            "Can you tell me how long a reset link stays valid? Mine seem to die before I get to them.",
            "I reset my password this morning and now I'm logged out of the desktop app and my phone. Is that expected?",
            "The reset page tells me to 'sign in with SSO' but I just want to change my password.",
            "Could you trigger a password reset for my account? I think I typed the wrong address in the form twice.",
            "I'd like to change my password because I reused it somewhere that got breached. Where is that in settings?",
            "I clicked 'Forgot password?' and typed my email, it said a link was sent, but nothing ever arrives.",
        ),
        details=(
            "My login email is {first_lower}@{domain}.",
            "I've tried in Chrome and Firefox, same thing.",
            "Our mail goes through Mimecast, in case that matters.",
            "I'm on a deadline today so any quick help is appreciated.",
            "I tried again ten minutes ago and still nothing.",
            "This is on the web app, I haven't tried the phone yet.",
            "I have access to the inbox, it just isn't getting anything from you.",
            "A colleague on the same domain got hers fine yesterday.",
        ),
        tags=("password", "login", "account_access"),
        replies=(
            "Sorry you're locked out! You can set a new password from app.orbitask.com/login > Forgot password?. "
            'The email comes from no-reply@orbitask.com with the subject "Reset your Orbitask password"; the link works '
            "once and is valid for 60 minutes, and each new request cancels the older links, so please use only the newest "
            "email.\n\nIf nothing arrives within 10 minutes, please check spam/junk and ask your IT team to allowlist "
            "no-reply@orbitask.com. New passwords need at least 10 characters and can't match your last 5.",
            "Thanks for reaching out. To reset your password, go to app.orbitask.com/login and click Forgot password?, "
            "then enter the email you sign in with. The link in the email is valid for 60 minutes and can be used once; "
            "requesting a new one cancels earlier links.\n\nNothing in your inbox after 10 minutes? Check spam and ask IT "
            'to allowlist no-reply@orbitask.com. If the page says "Sign in with SSO", your company manages passwords '
            "in its identity provider, so the reset happens there.",
        ),
    ),
    Category(
        name="login_trouble",
        count=26,
        judgment=False,
        subjects=(
            "Can't log in",
            "Login problem",
            "Account locked",
            "Keeps logging me out",
            "Invalid email or password",
            "Stuck on login page",
            "Desktop app won't sign in",
            "Too many attempts",
        ),
        quick=(
            "cant get into orbitask, says invalid credentials but the password is right",
            "too many attempts try again later - how long do i wait?",
            "login page just reloads after I hit sign in",
            "the desktop app won't let me sign in but the browser works",
            "it signs me out every couple of hours, super annoying",
            "says my account has been deactivated??",
        ),
        asks=(
            "Since this morning I can't sign in. It keeps saying invalid email or password, and I haven't changed anything.",
            "I tried a few times too many and now I'm locked out. How long does the lock last?",
            "I sign in fine and then land straight back on the login page. It loops like that forever.",
            "Orbitask logs me out several times a day. Is there a setting for how long sessions last?",
            "The Windows desktop app won't accept my login, but the web version works with the same details.",
            "When I sign in it says no account exists for my email, but I've been using Orbitask for months.",
            "I get a message that my account has been deactivated. I'm still at the company, so what happened?",
            "My password manager keeps filling in an old address and now I'm locked out. How do I get back in?",
        ),
        details=(
            "Tried an incognito window too.",
            "We're on the VPN most of the day if that's relevant.",
            "It started after I updated the app yesterday.",
            "My colleagues can log in without any problem.",
            "The error shows up right after I press the button.",
            "I'm on a Mac with Safari.",
        ),
        tags=("login", "account_access"),
        replies=(
            "Sorry about the trouble signing in. A few things fix most cases: go to app.orbitask.com/login directly (old "
            "bookmarks can break), type your email yourself rather than letting a password manager fill it, and if your "
            "company uses SSO, click Sign in with SSO.\n\nAfter 10 failed attempts the account locks for 30 minutes; "
            "resetting the password doesn't shorten that. If the page keeps reloading, allow cookies for app.orbitask.com "
            "and try a private window, which rules out extensions and stale cookies.",
        ),
    ),
    Category(
        name="two_factor_auth",
        count=22,
        judgment=False,
        subjects=(
            "2FA codes not working",
            "Lost my phone",
            "Two-factor authentication",
            "Backup codes",
            "New phone, no codes",
            "Reset 2FA for a team member",
            "Authenticator app lost",
        ),
        quick=(
            "got a new phone and my authenticator is empty, how do i get in",
            "the 6 digit code is always wrong",
            "how do i turn on two factor for my account?",
            "where are my backup codes",
            "can an admin reset 2fa for someone on my team",
        ),
        asks=(
            "I switched phones over the weekend and forgot to move my authenticator app. Now I can't get past the code screen.",
            "The codes from Google Authenticator are rejected every single time. The app shows a new code, I type it, wrong.",
            "One of our designers lost her phone with the authenticator on it. Can I reset her two-factor as an admin?",
            "I want to require two-factor for everyone in our workspace. Is that possible, and where is it?",
            "I'm the only owner and I lost my 2FA device. I don't have the backup codes either. What now?",
            "SMS codes are going to my old number. How do I change where they go if I can't log in?",
            "Where can I download a fresh set of backup codes? I think I used most of mine.",
        ),
        details=(
            "My phone's clock is set automatically, I checked.",
            "I'm still logged in on my laptop, if that helps.",
            "This is quite urgent, payroll approvals are in Orbitask.",
            "I have one backup code left but I'm not sure it's valid.",
        ),
        tags=("2fa", "security", "account_access"),
        replies=(
            "Happy to help you get back in. On the code screen, click Use a backup code and enter one of your 10 backup "
            "codes (8 characters, no spaces; each works once). Once in, go to Account settings > Security > Two-factor "
            "authentication > Change method to set up the new phone, and regenerate your backup codes.\n\nNo backup codes? "
            "An Owner or Admin can reset it under Settings > Members > your profile > Reset two-factor authentication. If "
            "codes are always rejected, switch your phone to automatic date and time; codes depend on an accurate clock.",
        ),
        plans=(0.2, 0.4, 0.3, 0.1),
    ),
    Category(
        name="sso_setup",
        count=18,
        judgment=True,
        subjects=(
            "SAML SSO setup",
            "SSO with Okta",
            "Entra ID single sign-on error",
            "Enforcing SSO",
            "Domain verification failing",
            "SSO test connection fails",
            "Google Workspace SAML",
        ),
        quick=(),
        asks=(
            "We've just moved to Business and want everyone to sign in through {idp}. Which values do I need from your side?",
            "The SSO test connection fails with an audience mismatch. I've copied the entity ID twice.",
            "Our DNS TXT record has been there for two days but the domain still won't verify.",
            "If we enforce SSO, what happens to our freelancers who use their own email addresses?",
            "Can we keep the owner's password login as a fallback if {idp} goes down?",
            "We turned on enforced SSO and now half the team gets an error page after the {idp} login. Can you check our setup?",
            "Do you support SCIM with {idp}, or only SAML? We'd like provisioning to be automatic.",
            "Since this morning every SSO sign-in fails with a signature error. As far as I know nothing changed on our side.",
        ),
        details=(
            "We have about {seats} users to move over.",
            "Our IdP admin is available Thursday if a call would help.",
            "The error page shows code SAML-{code}.",
            "I've attached the metadata XML we exported.",
            "NameID is set to the user's email address as your guide says.",
        ),
        tags=("sso", "saml", "security"),
        replies=(
            "Thanks for the detailed notes, {first}, they made this much quicker to look into.",
            "Hi {first}, thanks for reaching out about your SSO setup.",
            "Sorry for the hiccup with the rollout, {first}. Here's what I found.",
            "Thanks for your patience while I checked this with our security team.",
        ),
        reply_middles=(
            "On Settings > Security > Single sign-on, click Add SAML configuration: it shows the ACS URL "
            "(https://app.orbitask.com/sso/saml/acs) and the Entity ID to paste into {idp}. Set NameID to the user's "
            "email, then give us the IdP metadata URL and verify your domain with the TXT record shown.",
            "Yes: Allow Owner password fallback is on by default and lets the Owner sign in with password and 2FA if "
            "{idp} is down or misconfigured. We recommend leaving it on.",
            "The test is failing because the Entity ID in {idp} ends with a trailing slash; ours doesn't. Remove the slash "
            "and run Test connection again.",
            "Your TXT record is on _orbitask.{domain} rather than the root domain, which is why verification hasn't "
            "passed. Moving it to {domain} should verify within an hour or so.",
            "Guests from other domains keep password sign-in when you enforce SSO, so your freelancers won't be affected; "
            "only members on {domain} are sent to {idp}.",
            "The error code in your screenshot means {idp} is sending a NameID that isn't an email address. Setting NameID "
            "to user.email fixes it.",
            "SCIM is available on Enterprise only. On Business, users are created on their first SSO sign-in, which works "
            "well for most teams your size.",
            "I can see the certificate in the metadata you uploaded expired last month. Upload the current certificate "
            "from {idp} and the signature errors will stop.",
        ),
        answers=(0, 2, 3, 4, 1, 5, 6, 7),
        reply_closers=(
            "Please keep Allow Owner password fallback switched on until everyone has signed in once.",
            "Let me know once you've made the change and I'll check the logs again from our side.",
            "If it still fails, send me the time of the attempt and the error code and I'll dig into our SSO logs.",
            "Happy to join a short call with your IdP admin if that's easier.",
        ),
        plans=(0.0, 0.1, 0.6, 0.3),
    ),
    Category(
        name="invite_users",
        count=28,
        judgment=False,
        subjects=(
            "Inviting new team members",
            "Invitation email not received",
            "How to add a guest",
            "Resend invite",
            "Seat limit reached",
            "New hire can't join",
            "Add users to workspace",
        ),
        quick=(
            "how do i add my colleague to the workspace",
            "invite never arrived for our new starter",
            "can i invite a client to just one project?",
            "says seat limit reached when I invite a 6th person",
            "how long does an invite link last",
            "resend an invitation pls",
        ),
        asks=(
            "We have two new people starting on Monday. How do I add them so they can see the Marketing project straight away?",
            "I invited a freelancer three days ago but the invitation never reached her. Can you resend it?",
            "I'd like to give a client view-only access to one project without them seeing anything else. Is that possible?",
            "When I try to invite someone it says 'email domain not allowed'. They're a contractor with their own domain.",
            "Our new hire accepted the invite but ended up in a different workspace, not ours.",
            "Is there a way to invite a whole list of people at once instead of one by one?",
            "We're on the free plan and it won't let me add a sixth person. What are my options?",
        ),
        details=(
            "Their address is on {domain} like the rest of us.",
            "She checked spam and quarantine already.",
            "I'm an admin, not the owner, if that matters.",
            "We'd like to keep costs down, so guests would be ideal.",
            "The invite shows as pending in our member list.",
        ),
        tags=("users", "invitations"),
        replies=(
            "Happy to help with that. Owners and Admins can invite people from Settings > Members > Invite members: enter "
            "one or more addresses separated by commas, choose Member or Admin, and optionally add them to projects right "
            "away. To share a single project with someone outside your team, open the project, click Share and invite them "
            "as a guest (guests are free and only see the projects they're invited to).\n\nInvitations are valid for 7 "
            "days. Under Settings > Members > Pending invitations you can click Resend, or copy the link and send it "
            "yourself if the email is stuck in a filter.",
        ),
    ),
    Category(
        name="remove_users",
        count=18,
        judgment=False,
        subjects=(
            "Remove a user",
            "Employee left - offboarding",
            "Deactivate account",
            "Reassign tasks from leaver",
            "Free up a seat",
            "Deactivated user came back",
        ),
        quick=(
            "how do i remove someone who left the company",
            "deactivate is greyed out for me",
            "will deactivating a user delete their comments?",
        ),
        asks=(
            "One of our project managers left on Friday. How do I remove her access and hand her open tasks to someone else?",
            "We want to free up the seat of a contractor whose project ended. Do we get money back for the rest of the month?",
            "I deactivated a user yesterday and this morning he's back in the member list. How is that possible?",
            "Can I deactivate our old owner account? The person who set up the workspace left the company.",
            "If I deactivate someone, do their comments, files and time entries disappear?",
            "How do I make sure a leaver's API scripts stop working when I remove him?",
        ),
        details=(
            "He had about {count} open tasks.",
            "We're on {plan} billing monthly.",
            "She also owned two projects.",
            "We use Google sign-in for most people.",
        ),
        tags=("users", "offboarding"),
        replies=(
            "Thanks for getting in touch. Owners and Admins can do this under Settings > Members: click ... next to the "
            "person and choose Deactivate. In the Reassign work dialog, pick who takes over their open tasks and projects, "
            "and leave Revoke API keys and OAuth tokens switched on. They're signed out everywhere immediately.\n\nTheir "
            'comments, files and time entries stay, marked "(deactivated)". On paid plans the seat is released and the '
            "unused part of the period is credited to your next invoice. Note that the workspace Owner can't be "
            "deactivated until ownership is transferred (Settings > General > Transfer ownership).",
        ),
        plans=(0.1, 0.45, 0.33, 0.12),
    ),
)
